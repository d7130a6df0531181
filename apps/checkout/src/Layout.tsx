import { safeLogoUrl } from '@platform/core';
import type { CSSProperties, ReactNode } from 'react';
import type { CheckoutView } from './api';
import { formatAmount, themeFor } from './format';

/** Page frame: the sandbox banner, the tenant's accent colour, one <main>. */
export function Shell({ brandColor, sandbox, children }: { brandColor?: string | null; sandbox?: boolean; children: ReactNode }) {
  const theme = themeFor(brandColor);
  const style = { '--accent': theme.accent, '--on-accent': theme.onAccent, '--accent-ink': theme.accentInk } as CSSProperties;
  return (
    <div className="page" style={style}>
      {sandbox ? (
        <header className="sandbox-banner">
          <p>
            <strong>Sandbox</strong> — no real money
          </p>
        </header>
      ) : null}
      <main className="checkout">{children}</main>
    </div>
  );
}

/** Merchant branding and what is being paid for. */
export function Summary({ view }: { view: CheckoutView }) {
  const logo = safeLogoUrl(view.merchant.logoUrl);
  return (
    <div className="summary">
      <div className="merchant">
        {logo ? <img className="merchant-logo" src={logo} alt="" width={40} height={40} /> : <span className="merchant-initial" aria-hidden="true">{initialOf(view.merchant.displayName)}</span>}
        <h1 className="merchant-name">{view.merchant.displayName}</h1>
      </div>
      <p className="amount">
        <span className="visually-hidden">Amount: </span>
        {formatAmount(view.amount, view.currency)}
      </p>
      {view.description ? <p className="description">{view.description}</p> : null}
    </div>
  );
}

function initialOf(name: string): string {
  return (name.trim()[0] ?? '?').toUpperCase();
}
