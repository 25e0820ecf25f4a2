/** A titled section; while its query fails it shows the API's message instead. */
export function Panel({ id, title, result, wide = false, actions = null, children }) {
  return (
    <section
      className={wide ? 'panel wide' : 'panel'}
      aria-labelledby={`${id}-title`}
      aria-busy={result.state === 'loading'}
      data-panel={id}
      data-state={result.state}
    >
      <header className="panel-header">
        <h2 id={`${id}-title`}>{title}</h2>
        {actions}
      </header>
      {result.state === 'error' ? (
        <p className="panel-error" role="alert">
          Could not load this panel: {result.error}
        </p>
      ) : result.data ? (
        children
      ) : (
        <p className="panel-loading">Loading…</p>
      )}
    </section>
  );
}
