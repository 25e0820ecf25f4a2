// The messages the directory sent (or is sending) to the person, newest first.
import { day, humanise } from '../shared/words.js';

export function NotificationsSection({ notifications }) {
  const nodes = notifications?.nodes ?? [];
  return (
    <section className="card" aria-labelledby="notifications-title">
      <h2 id="notifications-title">Notifications sent to you</h2>
      {nodes.length === 0 ? <p>None yet.</p> : (
        <ul className="plain">
          {nodes.map((n) => (
            <li key={n.id} data-notification={n.kind}>
              <strong>{n.subject}</strong><br />
              <span className="hint">{day(n.createdAt)} · {humanise(n.kind)} · {humanise(n.channel)} · {humanise(n.state)}</span>
            </li>
          ))}
        </ul>
      )}
      {notifications?.totalCount > nodes.length && <p>Showing the newest {nodes.length} of {notifications.totalCount}.</p>}
    </section>
  );
}
