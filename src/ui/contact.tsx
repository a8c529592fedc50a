/** @jsxRuntime classic */
/** @jsx h */
// The contact form that turns a chat into a lead: each field checked as the visitor types (after they
// first leave it, or on submit), messages tied to their fields for screen readers.
import { Component, h } from 'preact';
import type { ContactField } from '../core/contact';
import { contactProblem } from '../core/contact';
import type { Strings } from './i18n';

interface ContactProps {
  s: Strings;
  fields: ContactField[];
  submit(values: Record<string, string>): Promise<boolean>;
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
  el?: HTMLFormElement | null;
  override componentDidMount() {
    this.el?.querySelector('input')?.focus();
  }
  problem(field: ContactField, values = this.state.values): string {
    const { s } = this.props;
    const value = (values[field] ?? '').trim();
    if (!value) return s.required;
    return contactProblem(field, value) ? (field == 'email' ? s.badEmail : s.badPhone) : '';
  }
  override render({ s, fields, submit }: ContactProps, { values, touched, busy }: ContactState) {
    return (
      <form
        class="cf"
        aria-labelledby="cfp"
        noValidate
        ref={(e) => void (this.el = e)}
        onSubmit={(e) => {
          e.preventDefault();
          // The fields themselves: autofill or the last keystroke may not have reached the state yet.
          const input = (f: ContactField) => this.el!.querySelector<HTMLInputElement>(`[name=${f}]`)!;
          const now = Object.fromEntries(fields.map((f) => [f, input(f).value]));
          const bad = fields.find((f) => this.problem(f, now));
          this.setState({ values: now, touched: Object.fromEntries(fields.map((f) => [f, true])) });
          if (bad) return input(bad).focus();
          this.setState({ busy: true });
          void submit(Object.fromEntries(fields.map((f) => [f, now[f]!.trim()]))).then(() => this.setState({ busy: false }));
        }}
      >
        <p id="cfp">{s.contactPrompt}</p>
        {fields.map((f) => {
          const why = touched[f] && this.problem(f);
          const [mode, autocomplete] = INPUT[f];
          return (
            // The message describes the field (aria-describedby): it is not part of its name.
            <div key={f} class="ff">
              <label for={`cf-${f}`}>{s[f]}</label>
              <input
                id={`cf-${f}`}
                name={f}
                inputMode={mode}
                autocomplete={autocomplete}
                value={values[f] ?? ''}
                aria-invalid={why ? 'true' : undefined}
                aria-describedby={why ? `cf-${f}-e` : undefined}
                onInput={(e) => {
                  const value = e.currentTarget.value;
                  this.setState((st) => ({ values: { ...st.values, [f]: value } }));
                }}
                onBlur={() => this.setState((st) => ({ touched: { ...st.touched, [f]: true } }))}
              />
              {why && (
                <span class="fe" id={`cf-${f}-e`}>
                  {why}
                </span>
              )}
            </div>
          );
        })}
        <button class="sb2" type="submit" disabled={busy}>
          {s.continue}
        </button>
      </form>
    );
  }
}
