// The texts Hearth sends to people. They say who needs help and how to respond, and carry no clinical
// detail: no crisis level, no words of the user, no mention of what was detected.

/** Stored in contact_logs.message_content instead of the link: the link's token acknowledges the incident. */
export const ACK_LINK_PLACEHOLDER = '[acknowledge link]';

export interface RenderedMessage {
  subject: string;
  text: string;
}

export function outreachMessage(o: { userName: string; contactName: string | null; ackLink: string }): RenderedMessage {
  const greeting = o.contactName ? `Hi ${o.contactName}, this is Hearth.` : 'This is Hearth.';
  return {
    subject: `${o.userName} may need your support`,
    text: `${greeting} ${o.userName} chose you as someone to contact when they need support, and they may need you now. Please reach out to them. Tap to tell us you are on it: ${o.ackLink}`,
  };
}

export function checkinReminderMessage(o: { userName: string }): RenderedMessage {
  return {
    subject: 'Your Hearth check-in',
    text: `Hi ${o.userName}, it is time for your check-in with Hearth. Open the app whenever you are ready.`,
  };
}

/** How a person is named in a message: display name, else first name, else a neutral phrase. */
export const personName = (u: { displayName?: string | null; fullName?: string | null }) =>
  u.displayName?.trim() || u.fullName?.trim().split(/\s+/)[0] || 'Someone you know';
