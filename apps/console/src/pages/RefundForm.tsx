import { Alert, Button, Group, Modal, NativeSelect, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, failureMessage } from '../api';
import { formatAmount, parseMajorAmount, toMajorString } from '../format';

export const REFUND_REASONS = [
  { value: 'requested_by_customer', label: 'Requested by customer' },
  { value: 'duplicate', label: 'Duplicate' },
  { value: 'fraudulent', label: 'Fraudulent' },
] as const;
type Reason = (typeof REFUND_REASONS)[number]['value'];

interface Props {
  paymentId: string;
  currency: string;
  /** Minor units still refundable. */
  remaining: number;
  opened: boolean;
  onClose: () => void;
  onRefunded: (message: string) => void;
}

/** Amount in major units (empty = everything left), a reason and a note for the audit log. */
export function RefundForm({ paymentId, currency, remaining, opened, onClose, onRefunded }: Props) {
  const client = useQueryClient();
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState<Reason>('requested_by_customer');
  const [note, setNote] = useState('');
  const [errors, setErrors] = useState<{ amount?: string; note?: string }>({});

  const refund = useMutation({
    mutationFn: (input: { amount?: number; reason: Reason; note: string }) => api.console.refunds.create.mutate({ paymentId, ...input }),
    onSuccess: async (_result, input) => {
      await client.invalidateQueries({ queryKey: ['console', 'payments'] });
      onRefunded(`Refund of ${formatAmount(input.amount ?? remaining, currency)} issued.`);
      setAmount('');
      setNote('');
      onClose();
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    const next: typeof errors = {};
    let minor: number | undefined;
    if (amount.trim()) {
      const parsed = parseMajorAmount(amount, currency);
      if (!parsed.ok) next.amount = parsed.message;
      else if (parsed.minor > remaining) next.amount = `At most ${formatAmount(remaining, currency)} can still be refunded`;
      else minor = parsed.minor;
    }
    if (note.trim().length < 3) next.note = 'Write a note: why is this refunded? It goes into the audit log.';
    setErrors(next);
    if (next.amount || next.note) return;
    refund.mutate({ ...(minor !== undefined ? { amount: minor } : {}), reason, note: note.trim() });
  }

  return (
    <Modal opened={opened} onClose={onClose} title="Refund payment" centered>
      <form onSubmit={submit} noValidate aria-label="Refund">
        <Stack>
          <TextInput
            label="Amount"
            description={`Leave empty to refund everything left: ${formatAmount(remaining, currency)}`}
            inputMode="decimal"
            placeholder={toMajorString(remaining, currency)}
            rightSection={<Text size="xs">{currency.toUpperCase()}</Text>}
            value={amount}
            onChange={(e) => {
              setAmount(e.currentTarget.value);
              setErrors((x) => ({ ...x, amount: undefined }));
            }}
            error={errors.amount}
            data-autofocus
          />
          <NativeSelect label="Reason" data={[...REFUND_REASONS]} value={reason} onChange={(e) => setReason(e.currentTarget.value as Reason)} />
          <Textarea label="Note" description="Required; recorded in the audit log" autosize minRows={2} value={note} onChange={(e) => { setNote(e.currentTarget.value); setErrors((x) => ({ ...x, note: undefined })); }} error={errors.note} />
          {refund.isError ? (
            <Alert color="red" role="alert">
              {failureMessage(refund.error)}
            </Alert>
          ) : null}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" color="red" loading={refund.isPending}>
              Issue refund
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
