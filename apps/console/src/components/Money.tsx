import { formatAmount } from '../format';

export function Money({ amount, currency }: { amount: number | null | undefined; currency: string }) {
  if (amount === null || amount === undefined) return <span>—</span>;
  return <span className="money">{formatAmount(amount, currency)}</span>;
}
