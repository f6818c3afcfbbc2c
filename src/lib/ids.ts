import { v5 as uuidv5 } from 'uuid';

// Fixed namespace for ids derived from names (job ids, delivery ids): same name, same UUID, every time.
const HEARTH_NAMESPACE = '4b1f9a8e-3c0d-5e27-9f61-0a2b3c4d5e6f';

/** A UUID determined by `name`: lets a retried job insert the same row twice and get one. */
export const deterministicUuid = (name: string): string => uuidv5(name, HEARTH_NAMESPACE);
