import { readTokenFromPath } from './token';

// Placeholder: the real checkout page (fetching the payment by token) comes later.
export function App() {
  const token = readTokenFromPath(window.location.pathname, import.meta.env.BASE_URL);

  return (
    <main className="checkout" aria-busy={token !== null}>
      <h1 className="visually-hidden">Payment</h1>
      {token !== null ? (
        <p role="status">Loading payment…</p>
      ) : (
        <p role="alert">This payment link is incomplete. Please check the link you were given.</p>
      )}
    </main>
  );
}
