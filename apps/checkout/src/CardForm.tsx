import { useId, useLayoutEffect, useRef, useState, type ChangeEvent, type FormEvent, type RefObject } from 'react';
import type { CardInput } from './api';
import { DeclineNotice } from './screens';
import {
  digitsOf,
  FIELD_ORDER,
  formatCardNumber,
  formatCvc,
  formatExpiry,
  toCardInput,
  validateCard,
  validateField,
  type CardFields,
  type FieldErrors,
  type FieldName,
} from './card-fields';
import { useFocusOnMount } from './focus';

const LABELS: Record<FieldName, string> = {
  number: 'Card number',
  expiry: 'Expiry date',
  cvc: 'CVC',
  name: 'Name on card',
};

const FORMATTERS: Partial<Record<FieldName, (value: string) => string>> = {
  number: formatCardNumber,
  expiry: formatExpiry,
  cvc: formatCvc,
};

export interface CardFormProps {
  fields: CardFields;
  onFieldsChange: (fields: CardFields) => void;
  /** "€19.99": the button reads "Pay €19.99". */
  amountLabel: string;
  /** Why the previous attempt failed, in customer words (shown above the form, focused). */
  declineMessage: string | null;
  /** Resolves with a message when the submission was refused, or null when it went through. */
  onSubmit: (card: CardInput) => Promise<string | null>;
  sandbox: boolean;
  /** Focus the decline message when the form comes back after a failed attempt (not on a fresh page). */
  moveFocus: boolean;
}

/** The sandbox card form: inline validation, errors tied to their fields, focus on the first problem. */
export function CardForm({ fields, onFieldsChange, amountLabel, declineMessage, onSubmit, sandbox, moveFocus }: CardFormProps) {
  const id = useId();
  const [errors, setErrors] = useState<FieldErrors>({});
  const [announcement, setAnnouncement] = useState('');
  const [formError, setFormError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const inputs = {
    number: useRef<HTMLInputElement>(null),
    expiry: useRef<HTMLInputElement>(null),
    cvc: useRef<HTMLInputElement>(null),
    name: useRef<HTMLInputElement>(null),
  } satisfies Record<FieldName, RefObject<HTMLInputElement | null>>;
  const pendingCaret = useRef<{ field: FieldName; digitsBefore: number } | null>(null);
  const declineRef = useFocusOnMount<HTMLDivElement>(moveFocus && declineMessage !== null);
  const formErrorRef = useRef<HTMLDivElement>(null);

  // Reformatting ("4242 4242 …") must not throw the caret to the end while editing in the middle.
  useLayoutEffect(() => {
    const pending = pendingCaret.current;
    if (!pending) return;
    pendingCaret.current = null;
    const input = inputs[pending.field].current;
    if (!input || document.activeElement !== input) return;
    let pos = 0;
    let seen = 0;
    while (pos < input.value.length && seen < pending.digitsBefore) {
      if (/\d/.test(input.value[pos]!)) seen++;
      pos++;
    }
    input.setSelectionRange(pos, pos);
  });

  function change(field: FieldName) {
    return (event: ChangeEvent<HTMLInputElement>) => {
      const raw = event.target.value;
      const format = FORMATTERS[field];
      const value = format ? format(raw) : raw;
      if (format) {
        const caret = event.target.selectionStart ?? raw.length;
        const padded = Math.max(0, digitsOf(value).length - digitsOf(raw).length); // "1/" → "01"
        pendingCaret.current = { field, digitsBefore: digitsOf(raw.slice(0, caret)).length + padded };
      }
      const next = { ...fields, [field]: value };
      onFieldsChange(next);
      // Once a field shows an error, fix it as the customer types (but never add one mid-typing).
      if (errors[field]) setErrors((prev) => ({ ...prev, [field]: validateField(field, next) }));
    };
  }

  function blur(field: FieldName) {
    return () => {
      if (fields[field] === '' && !errors[field]) return; // tabbing through an empty field is not an error yet
      const message = validateField(field, fields);
      setErrors((prev) => ({ ...prev, [field]: message }));
      if (message && message !== errors[field]) setAnnouncement(`${LABELS[field]}: ${message}`);
    };
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (submitting) return;
    setFormError(null);
    const found = validateCard(fields);
    setErrors(found);
    const invalid = FIELD_ORDER.filter((f) => found[f]);
    if (invalid.length > 0) {
      setAnnouncement(
        invalid.length === 1
          ? `${LABELS[invalid[0]!]}: ${found[invalid[0]!]}`
          : `Please correct ${invalid.length} fields: ${invalid.map((f) => LABELS[f]).join(', ')}.`,
      );
      inputs[invalid[0]!].current?.focus();
      return;
    }
    setAnnouncement('');
    setSubmitting(true);
    const refused = await onSubmit(toCardInput(fields));
    // On success this form is replaced by the next step; only a refusal comes back here.
    if (refused !== null) {
      setSubmitting(false);
      setFormError(refused);
      requestAnimationFrame(() => formErrorRef.current?.focus());
    }
  }

  function field(name: FieldName, props: { autoComplete: string; inputMode?: 'numeric' | 'text'; hint?: string; placeholder?: string; maxLength?: number; className?: string }) {
    const inputId = `${id}-${name}`;
    const hintId = props.hint ? `${inputId}-hint` : undefined;
    const errorId = `${inputId}-error`;
    const error = errors[name];
    const describedBy = [hintId, error ? errorId : undefined].filter(Boolean).join(' ') || undefined;
    return (
      <div className={`field ${props.className ?? ''}`}>
        <label htmlFor={inputId}>{LABELS[name]}</label>
        {props.hint ? (
          <span id={hintId} className="hint">
            {props.hint}
          </span>
        ) : null}
        <input
          ref={inputs[name]}
          id={inputId}
          name={name}
          type="text"
          value={fields[name]}
          onChange={change(name)}
          onBlur={blur(name)}
          autoComplete={props.autoComplete}
          inputMode={props.inputMode}
          placeholder={props.placeholder}
          maxLength={props.maxLength}
          spellCheck={false}
          autoCorrect="off"
          autoCapitalize={name === 'name' ? 'words' : 'off'}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
        />
        <p id={errorId} className="field-error" hidden={!error}>
          {error}
        </p>
      </div>
    );
  }

  return (
    <section className="step" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="step-title">
        Pay by card
      </h2>
      {declineMessage ? <DeclineNotice ref={declineRef} message={declineMessage} /> : null}
      <form className="card-form" noValidate onSubmit={submit} aria-busy={submitting || undefined}>
        {field('number', { autoComplete: 'cc-number', inputMode: 'numeric', maxLength: 23, placeholder: '1234 1234 1234 1234' })}
        <div className="field-row">
          {field('expiry', { autoComplete: 'cc-exp', inputMode: 'numeric', hint: 'MM / YY', maxLength: 9, placeholder: 'MM / YY' })}
          {field('cvc', { autoComplete: 'cc-csc', inputMode: 'numeric', hint: '3 or 4 digits', maxLength: 4 })}
        </div>
        {field('name', { autoComplete: 'cc-name', hint: 'Optional', maxLength: 200 })}
        {formError ? (
          <div ref={formErrorRef} className="notice notice-error" role="alert" tabIndex={-1}>
            <p>{formError}</p>
          </div>
        ) : null}
        <button type="submit" className="pay-button" aria-disabled={submitting || undefined}>
          Pay {amountLabel}
        </button>
        {submitting ? <p className="submitting" aria-hidden="true">Sending your payment…</p> : null}
        <p className="visually-hidden" aria-live="polite" aria-atomic="true">
          {announcement}
        </p>
      </form>
      {sandbox ? <TestCards /> : null}
    </section>
  );
}

function TestCards() {
  return (
    <details className="test-cards">
      <summary>Test cards for this sandbox</summary>
      <p>Use any future expiry date and any CVC.</p>
      <ul>
        <li><code>4242 4242 4242 4242</code> succeeds</li>
        <li><code>4000 0000 0000 0002</code> is declined</li>
        <li><code>4000 0027 6000 3184</code> asks for 3-D Secure</li>
        <li><code>4000 0000 0000 3055</code> succeeds after a few seconds</li>
      </ul>
    </details>
  );
}
