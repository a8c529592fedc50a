// The contact form that turns a chat into a lead: each field checked as the visitor types (after they
// first leave it, or on submit), messages tied to their fields for screen readers.
import { Component } from 'preact';
import type { ContactField } from '../../core/contact';
import { contactProblem } from '../../core/contact';
import type { Strings } from '../strings';

interface ContactProps {
  strings: Strings;
  fields: ContactField[];
  submit(values: Record<string, string>): Promise<boolean>;
  /** Inline, the page owns the focus: the form takes it only from inside the chat (the visitor just sent). */
  inline: boolean;
}

interface ContactState {
  values: Record<string, string>;
  /** Fields whose message is shown: left once, or after a submit. */
  touched: Record<string, boolean>;
  busy?: boolean;
}

/** The on-screen keyboard and autofill of each field (type=text throughout: our checks, not the browser's). */
const INPUT: Record<ContactField, [mode: 'text' | 'email' | 'tel', autocomplete: string]> = {
  name: ['text', 'name'],
  email: ['email', 'email'],
  phone: ['tel', 'tel'],
};

export class ContactForm extends Component<ContactProps, ContactState> {
  override state: ContactState = { values: {}, touched: {} };
  form?: HTMLFormElement | null;
  override componentDidMount(): void {
    const root = this.form?.getRootNode() as ShadowRoot | undefined;
    if (!this.props.inline || root?.activeElement) this.form?.querySelector('input')?.focus();
  }
  problem(field: ContactField, values = this.state.values): string {
    const { strings } = this.props;
    const value = (values[field] ?? '').trim();
    if (!value) return strings.required;
    return contactProblem(field, value) ? (field === 'email' ? strings.badEmail : strings.badPhone) : '';
  }
  override render({ strings, fields, submit }: ContactProps, { values, touched, busy }: ContactState) {
    return (
      <form
        class="cf"
        aria-labelledby="cfp"
        noValidate
        ref={(element) => {
          this.form = element;
        }}
        onSubmit={(event) => {
          event.preventDefault();
          // The fields themselves: autofill or the last keystroke may not have reached the state yet.
          const input = (field: ContactField) => this.form!.querySelector<HTMLInputElement>(`[name=${field}]`)!;
          const now = Object.fromEntries(fields.map((field) => [field, input(field).value]));
          const bad = fields.find((field) => this.problem(field, now));
          this.setState({ values: now, touched: Object.fromEntries(fields.map((field) => [field, true])) });
          if (bad) return input(bad).focus();
          this.setState({ busy: true });
          void submit(Object.fromEntries(fields.map((field) => [field, now[field]!.trim()]))).then(() => this.setState({ busy: false }));
        }}
      >
        <p id="cfp">{strings.contactPrompt}</p>
        {fields.map((field) => {
          const why = touched[field] && this.problem(field);
          const [mode, autocomplete] = INPUT[field];
          return (
            // The message describes the field (aria-describedby): it is not part of its name.
            <div key={field} class="ff">
              <label for={`cf-${field}`}>{strings[field]}</label>
              <input
                id={`cf-${field}`}
                name={field}
                inputMode={mode}
                autocomplete={autocomplete}
                value={values[field] ?? ''}
                aria-invalid={why ? 'true' : undefined}
                aria-describedby={why ? `cf-${field}-e` : undefined}
                onInput={(event) => {
                  const value = event.currentTarget.value;
                  this.setState((state) => ({ values: { ...state.values, [field]: value } }));
                }}
                onBlur={() => this.setState((state) => ({ touched: { ...state.touched, [field]: true } }))}
              />
              {why && (
                <span class="fe" id={`cf-${field}-e`}>
                  {why}
                </span>
              )}
            </div>
          );
        })}
        <button class="sb2" type="submit" disabled={busy}>
          {strings.continue}
        </button>
      </form>
    );
  }
}
