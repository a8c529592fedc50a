// Shapes of contact details, checked the same way by identify() and the widget's contact form.

export const CONTACT_FIELDS = ['name', 'email', 'phone'] as const;
export type ContactField = (typeof CONTACT_FIELDS)[number];

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** Digits with an optional leading +; spaces, dashes, dots and brackets between them are fine. */
const PHONE = /^\+?\d{5,15}$/;

/** Why `value` is not a valid `field`, or null (fields other than email and phone take any text). */
export function contactProblem(field: string, value: string): string | null {
  if (field === 'email' && value && !EMAIL.test(value)) return `"${value}" is not an email address.`;
  if (field === 'phone' && value && !PHONE.test(value.replace(/[\s().-]/g, '')))
    return `"${value}" is not a phone number (digits, optionally starting with +).`;
  return null;
}
