import { useEffect, useState } from 'react';
import { CONTINENTS, KINDS, SECTORS, STATUSES, humanise } from './vocabulary.js';
import { NO_FILTER } from './filters.js';

function Choices({ legend, name, values, chosen, onChange }) {
  const toggle = (value) =>
    onChange(chosen.includes(value) ? chosen.filter((v) => v !== value) : [...chosen, value]);
  return (
    <fieldset className="choices">
      <legend>{legend}</legend>
      {values.map((value) => (
        <label key={value}>
          <input
            type="checkbox"
            name={name}
            value={value}
            checked={chosen.includes(value)}
            onChange={() => toggle(value)}
          />
          {humanise(value)}
        </label>
      ))}
    </fieldset>
  );
}

/** The organisation filter; every change re-queries (the search after a pause in typing). */
export function Filters({ filter, onChange }) {
  const [search, setSearch] = useState(filter.search);
  useEffect(() => {
    if (search === filter.search) return undefined;
    const pause = setTimeout(() => onChange({ ...filter, search }), 400);
    return () => clearTimeout(pause);
  }, [search, filter, onChange]);
  const set = (field) => (value) => onChange({ ...filter, [field]: value });
  return (
    <form className="filters" aria-labelledby="filters-title" onSubmit={(event) => {
      event.preventDefault();
      onChange({ ...filter, search });
    }}>
      <h2 id="filters-title">Filters</h2>
      <div className="filter-row">
        <label>
          Name contains
          <input type="search" name="search" value={search} onChange={(event) => setSearch(event.target.value)} />
        </label>
        <label>
          Joined after
          <input type="date" name="joinedAfter" value={filter.joinedAfter}
            onChange={(event) => set('joinedAfter')(event.target.value)} />
        </label>
        <label>
          Joined before
          <input type="date" name="joinedBefore" value={filter.joinedBefore}
            onChange={(event) => set('joinedBefore')(event.target.value)} />
        </label>
        <button type="button" onClick={() => { setSearch(''); onChange(NO_FILTER); }}>
          Clear filters
        </button>
      </div>
      <div className="filter-groups">
        <Choices legend="Continent" name="continents" values={CONTINENTS} chosen={filter.continents} onChange={set('continents')} />
        <Choices legend="Sector" name="sectors" values={SECTORS} chosen={filter.sectors} onChange={set('sectors')} />
        <Choices legend="Kind" name="kinds" values={KINDS} chosen={filter.kinds} onChange={set('kinds')} />
        <Choices legend="Membership status" name="statuses" values={STATUSES} chosen={filter.statuses} onChange={set('statuses')} />
      </div>
    </form>
  );
}
