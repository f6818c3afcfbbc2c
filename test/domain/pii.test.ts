import { describe, expect, it } from 'vitest';
import { detectPii, parsePiiPreferences, redactPii } from '../../src/domain/pii.ts';

describe('PII redaction', () => {
  it.each([
    ['write to jane.doe+work@example.co.uk please', 'write to [EMAIL] please'],
    ['call me on (212) 555-0198 tonight', 'call me on [PHONE] tonight'],
    ['my UK mobile is 07700 900123', 'my UK mobile is [PHONE]'],
    ['reach me at +49 30 901820', 'reach me at [PHONE]'],
    ['card 4111 1111 1111 1111 exp 04/27', 'card [CARD] exp 04/27'],
    ['my SSN is 123-45-6789', 'my SSN is [SSN]'],
    ['social security number 123456789', 'social security number [SSN]'],
    ['my server is 192.168.1.10', 'my server is [IP]'],
    ['from 2001:db8::8a2e:370:7334 today', 'from [IP] today'],
    ['I live at 42 Oak Lane, Springfield, IL 62704 now', 'I live at [ADDRESS] now'],
    ['send it to P.O. Box 1234', 'send it to [ADDRESS]'],
    ['I was born on March 3, 1990', 'I was born on [DOB]'],
    ['DOB: 03/14/1988', 'DOB: [DOB]'],
  ])('%s', (input, expected) => {
    expect(redactPii(input).text).toBe(expected);
  });

  it.each([
    'I updated to version 2.14.1 and then 10.0.2',
    'order #48213377 arrived broken',
    'it cost $1,250.00 back in 2019',
    'if it gets bad I will call 988 or text 741741',
    'I ran 5 miles down the road this morning',
    'my appointment is on 03/14/2025 at 10:30',
    'I miss my mom so much, I cried for 3 hours',
    'we met at 7:30:15 by the 24 hour gym',
    'the tracking number 1Z999AA10123456784 never updates',
  ])('leaves PII-free text unchanged: %s', (input) => {
    expect(redactPii(input)).toEqual({ text: input, kinds: [] });
  });

  it('reports each kind once, in a fixed order', () => {
    expect(detectPii('a@b.co, c@d.co and 415-555-0132').kinds).toEqual(['email', 'phone']);
  });

  it('per-kind preferences keep a kind as written', () => {
    const prefs = parsePiiPreferences({ email: 'keep', phone: 'shout', nonsense: 'keep' });
    expect(prefs).toEqual({ email: 'keep' });
    expect(redactPii('a@b.co or 415-555-0132', prefs)).toEqual({
      text: 'a@b.co or [PHONE]',
      kinds: ['email', 'phone'],
    });
  });

  it('rejects a 16-digit number that fails the Luhn check', () => {
    expect(detectPii('number 4111 1111 1111 1112').kinds).not.toContain('financial');
  });
});
