const WIDTH = 720;
const HEIGHT = 260;
const MARGIN = { top: 16, right: 48, bottom: 28, left: 40 };

function leftByText(leftBy) {
  return leftBy.filter((bucket) => bucket.count > 0).map((bucket) => `${bucket.label} ${bucket.count}`).join(', ') || '—';
}

/**
 * Growth and churn per period: joined and reinstated above the axis, left
 * below it, and the members active at each period's end as a line (right scale).
 */
export function TrendChart({ points }) {
  const inner = { width: WIDTH - MARGIN.left - MARGIN.right, height: HEIGHT - MARGIN.top - MARGIN.bottom };
  const most = Math.max(1, ...points.map((p) => Math.max(p.joined + p.reinstated, p.left)));
  const mostActive = Math.max(1, ...points.map((p) => p.activeAtEnd));
  const axis = MARGIN.top + inner.height / 2;
  const step = inner.width / Math.max(1, points.length);
  const bar = Math.max(1, step * 0.7);
  const up = (n) => ((inner.height / 2) * n) / most;
  const x = (i) => MARGIN.left + i * step + (step - bar) / 2;
  const activeY = (n) => MARGIN.top + inner.height - (inner.height * n) / mostActive;
  const line = points.map((p, i) => `${i ? 'L' : 'M'}${x(i) + bar / 2},${activeY(p.activeAtEnd)}`).join(' ');
  const labelEvery = Math.ceil(points.length / 12);
  return (
    <>
      <svg
        className="trend"
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label="Organisations joined, reinstated and left per period, and active at each period's end; the table below has the numbers"
      >
        <line x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={axis} y2={axis} className="axis" />
        <text x={MARGIN.left - 6} y={MARGIN.top + 10} className="tick end">{most}</text>
        <text x={MARGIN.left - 6} y={HEIGHT - MARGIN.bottom} className="tick end">−{most}</text>
        <text x={WIDTH - MARGIN.right + 6} y={MARGIN.top + 10} className="tick active">{mostActive}</text>
        {points.map((p, i) => (
          <g key={p.period}>
            <rect className="joined" x={x(i)} width={bar} y={axis - up(p.joined)} height={up(p.joined)} />
            <rect
              className="reinstated" x={x(i)} width={bar}
              y={axis - up(p.joined + p.reinstated)} height={up(p.reinstated)}
            />
            <rect className="left" x={x(i)} width={bar} y={axis} height={up(p.left)} />
            {i % labelEvery === 0 && (
              <text x={x(i) + bar / 2} y={HEIGHT - 8} className="tick middle">{p.period}</text>
            )}
          </g>
        ))}
        <path d={line} className="active-line" />
      </svg>
      <p className="key" aria-hidden="true">
        <span className="swatch joined" /> joined <span className="swatch reinstated" /> reinstated{' '}
        <span className="swatch left" /> left <span className="swatch active-line" /> active at the end
      </p>
      <div className="scroll" tabIndex={0} role="region" aria-label="Growth and churn table (scrolls)">
        <table className="numbers" data-table="trend">
          <caption className="visually-hidden">Membership per period</caption>
          <thead>
            <tr>
              <th scope="col">Period</th>
              <th scope="col" className="count">Joined</th>
              <th scope="col" className="count">Reinstated</th>
              <th scope="col" className="count">Left</th>
              <th scope="col">Left by</th>
              <th scope="col" className="count">Active at end</th>
            </tr>
          </thead>
          <tbody>
            {points.map((p) => (
              <tr key={p.period} data-key={p.period}>
                <th scope="row">{p.period}</th>
                <td className="count" data-field="joined">{p.joined}</td>
                <td className="count" data-field="reinstated">{p.reinstated}</td>
                <td className="count" data-field="left">{p.left}</td>
                <td>{leftByText(p.leftBy)}</td>
                <td className="count" data-field="activeAtEnd">{p.activeAtEnd}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
