export function MePage() {
  return <h1>My profile</h1>;
}
