/**
 * membershipStats(by, thenBy) as a table: a row per `by` key, a column per
 * `thenBy` key. Rows of list dimensions (sector, designation) may sum to more
 * than their total, which is the organisations in the row.
 */
export function CrossTab({ buckets, byLabel, thenByLabel }) {
  const columns = new Map();
  for (const row of buckets) for (const cell of row.breakdown ?? []) columns.set(cell.key, cell.label);
  const columnKeys = [...columns.keys()];
  return (
    <div className="scroll" tabIndex={0} role="region" aria-label="Cross-tab (scrolls)">
      <table className="numbers crosstab" data-table="crosstab">
        <caption className="visually-hidden">{`Organisations by ${byLabel}${thenByLabel ? ` and ${thenByLabel}` : ''}`}</caption>
        <thead>
          <tr>
            <th scope="col">{byLabel}</th>
            {columnKeys.map((key) => (
              <th scope="col" className="count" key={key} data-key={key}>{columns.get(key)}</th>
            ))}
            <th scope="col" className="count" data-key="total">Total</th>
          </tr>
        </thead>
        <tbody>
          {buckets.map((row) => {
            const cells = new Map((row.breakdown ?? []).map((cell) => [cell.key, cell.count]));
            return (
              <tr key={row.key} data-key={row.key}>
                <th scope="row">{row.label}</th>
                {columnKeys.map((key) => (
                  <td className="count" key={key} data-key={key}>{cells.get(key) ?? 0}</td>
                ))}
                <td className="count total" data-key="total">{row.count}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
