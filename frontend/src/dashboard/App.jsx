import { useMemo, useState } from 'react';
import { Header } from '../pages/shared/Header.jsx';
import { Credentials } from './Credentials.jsx';
import { Filters } from './Filters.jsx';
import { NO_FILTER, toExportParameters, toOrganisationFilter } from './filters.js';
import { download } from './api.js';
import { CROSS_TAB, OVERVIEW, TREND } from './queries.js';
import { useQuery } from './useQuery.js';
import { DIMENSIONS, INTERVALS, humanise } from './vocabulary.js';
import { Panel } from './panels/Panel.jsx';
import { BarTable } from './panels/BarTable.jsx';
import { WorldMap } from './panels/WorldMap.jsx';
import { TrendChart } from './panels/TrendChart.jsx';
import { CrossTab } from './panels/CrossTab.jsx';

function Select({ label, name, value, options, onChange, none = null }) {
  return (
    <label className="inline">
      {label}
      <select name={name} value={value} onChange={(event) => onChange(event.target.value)}>
        {none && <option value="">{none}</option>}
        {options.map((option) => (
          <option key={option} value={option}>{humanise(option)}</option>
        ))}
      </select>
    </label>
  );
}

export function App() {
  const [credential, setCredential] = useState(null);
  const [filter, setFilter] = useState(NO_FILTER);
  const [interval, setTrendInterval] = useState('YEAR');
  const [by, setBy] = useState('CONTINENT');
  const [thenBy, setThenBy] = useState('SECTOR');
  const [downloadProblem, setDownloadProblem] = useState(null);

  const organisationFilter = useMemo(() => toOrganisationFilter(filter), [filter]);
  const token = credential?.token ?? null;
  const overview = useQuery(OVERVIEW, { filter: organisationFilter }, token);
  const trend = useQuery(TREND, { interval, filter: organisationFilter }, token);
  const crossTab = useQuery(CROSS_TAB, { by, thenBy: thenBy || null, filter: organisationFilter }, token);

  // A dimension crossed with itself says nothing; the API refuses it.
  function chooseRows(dimension) {
    setBy(dimension);
    if (dimension === thenBy) setThenBy('');
  }

  async function downloadCrossTab() {
    setDownloadProblem(null);
    const parameters = new URLSearchParams({ by, ...(thenBy ? { thenBy } : {}) });
    for (const [name, value] of toExportParameters(filter)) parameters.set(name, value);
    const filename = `organisations-by-${by.toLowerCase()}${thenBy ? `-${thenBy.toLowerCase()}` : ''}.csv`;
    try {
      await download('/export/stats.csv', parameters, token, filename);
    } catch (error) {
      setDownloadProblem(error.message);
    }
  }

  const data = overview.data;
  return (
    <>
      <Header />
      <div className="page-header">
        <h1>Member Directory dashboard</h1>
        <nav aria-label="Pages">
          <a href="/graphql">GraphiQL</a>
        </nav>
      </div>
      <main>
        <Credentials credential={credential} onChange={setCredential} />
        <Filters filter={filter} onChange={setFilter} />
        <p className="total" aria-live="polite" data-panel="total" data-state={overview.state}>
          {data ? <><strong data-total>{data.organisations.totalCount}</strong> organisations match.</> : '\u00a0'}
        </p>
        <div className="grid">
          <Panel id="countries" title="Members by country" result={overview} wide>
            {data && (
              <div className="map-and-table">
                <WorldMap byCountry={data.byCountry} />
                <div className="scroll tall" tabIndex={0} role="region" aria-label="Organisations by country (scrolls)">
                  <BarTable id="byCountry" caption="Organisations by country" keyHeading="Country" buckets={data.byCountry} />
                </div>
              </div>
            )}
          </Panel>
          <Panel id="continents" title="By continent" result={overview}>
            {data && <BarTable id="byContinent" caption="Organisations by continent" keyHeading="Continent" buckets={data.byContinent} />}
          </Panel>
          <Panel id="sectors" title="By sector" result={overview}>
            {data && <BarTable id="bySector" caption="Organisations by sector" keyHeading="Sector" buckets={data.bySector} />}
          </Panel>
          <Panel id="kinds" title="By kind" result={overview}>
            {data && <BarTable id="byKind" caption="Organisations by kind" keyHeading="Kind" buckets={data.byKind} />}
          </Panel>
          <Panel
            id="trend" title="Growth and churn" result={trend} wide
            actions={<Select label="Per" name="interval" value={interval} options={INTERVALS} onChange={setTrendInterval} />}
          >
            {trend.data && <TrendChart points={trend.data.membershipTrend} />}
          </Panel>
          <Panel
            id="crosstab" title="Cross-tab" result={crossTab} wide
            actions={
              <div className="actions">
                <Select label="Rows" name="by" value={by} options={DIMENSIONS} onChange={chooseRows} />
                <Select
                  label="Columns" name="thenBy" value={thenBy} none="(none)"
                  options={DIMENSIONS.filter((dimension) => dimension !== by)} onChange={setThenBy}
                />
                <button type="button" onClick={downloadCrossTab}>Download CSV</button>
                {downloadProblem && <p role="alert" className="panel-error">Could not download: {downloadProblem}</p>}
              </div>
            }
          >
            {crossTab.data && (
              <CrossTab
                buckets={crossTab.data.membershipStats}
                byLabel={humanise(by)}
                thenByLabel={thenBy ? humanise(thenBy) : null}
              />
            )}
          </Panel>
        </div>
      </main>
    </>
  );
}
