export function ApplyPage() {
  return <h1>Apply for organisational membership</h1>;
}
