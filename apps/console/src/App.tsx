// Placeholder: the real console (sign-in, payments, audit) comes with the console issue.
export function App() {
  return (
    <main className="console">
      <h1>Payment platform console</h1>
      <p>Sign-in arrives with the console issue.</p>
    </main>
  );
}
