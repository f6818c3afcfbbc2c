import { OutboxJobSchema } from './outbox-job.entity.ts';
import { UserSchema } from './user.entity.ts';
export const entities = [UserSchema, OutboxJobSchema];
