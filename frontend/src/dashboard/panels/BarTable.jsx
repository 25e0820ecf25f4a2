/** Buckets as a table with a bar per row: the numbers are text, the bars decoration. */
export function BarTable({ id, caption, buckets, keyHeading }) {
  const largest = Math.max(1, ...buckets.map((bucket) => bucket.count));
  return (
    <table className="bars" data-table={id}>
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{keyHeading}</th>
          <th scope="col" className="bar-column" aria-hidden="true"></th>
          <th scope="col" className="count">Organisations</th>
        </tr>
      </thead>
      <tbody>
        {buckets.map((bucket) => (
          <tr key={bucket.key} data-key={bucket.key}>
            <th scope="row">{bucket.label}</th>
            <td className="bar-column" aria-hidden="true">
              <span className="bar" style={{ width: `${(100 * bucket.count) / largest}%` }} />
            </td>
            <td className="count">{bucket.count}</td>
          </tr>
        ))}
        {buckets.length === 0 && (
          <tr>
            <td colSpan="3">No organisations match the filters.</td>
          </tr>
        )}
      </tbody>
    </table>
  );
}
