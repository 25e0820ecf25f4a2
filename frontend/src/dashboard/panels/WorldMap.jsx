import { useMemo } from 'react';
import { geoNaturalEarth1, geoPath } from 'd3-geo';
import { feature } from 'topojson-client';
import countries from 'i18n-iso-countries';
import atlas from 'world-atlas/countries-110m.json';

const WIDTH = 960;
const HEIGHT = 470;
const ANTARCTICA = '010';

// Natural Earth's shapes, keyed by ISO 3166-1 numeric code; the API names
// countries by alpha-2 code.
const SHAPES = feature(atlas, atlas.objects.countries).features.filter((shape) => shape.id && shape.id !== ANTARCTICA);
const projection = geoNaturalEarth1().fitSize([WIDTH, HEIGHT], { type: 'FeatureCollection', features: SHAPES });
const PATHS = SHAPES.map((shape) => ({
  code: countries.numericToAlpha2(shape.id),
  name: shape.properties.name,
  d: geoPath(projection)(shape),
}));

const EMPTY = '#eceff3';
const LIGHT = [222, 235, 247];
const DARK = [8, 48, 107];

/** Square-root scale from light to dark blue, so small counts still show. */
function shade(count, largest) {
  if (!count) return EMPTY;
  const t = Math.sqrt(count / largest);
  const channel = (i) => Math.round(LIGHT[i] + (DARK[i] - LIGHT[i]) * t);
  return `rgb(${channel(0)}, ${channel(1)}, ${channel(2)})`;
}

/** Members by country on a world map; every number is also in the table beside it. */
export function WorldMap({ byCountry }) {
  const counts = useMemo(() => new Map(byCountry.map((bucket) => [bucket.key, bucket])), [byCountry]);
  const largest = Math.max(1, ...byCountry.map((bucket) => bucket.count));
  const shown = byCountry.filter((bucket) => bucket.count > 0).length;
  return (
    <figure className="map">
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={`World map shading ${shown} countries by their number of member organisations, at most ${largest}`}
      >
        {PATHS.map((path, index) => {
          const bucket = path.code ? counts.get(path.code) : undefined;
          const count = bucket?.count ?? 0;
          return (
            <path
              key={path.code ?? `shape-${index}`}
              d={path.d}
              fill={shade(count, largest)}
              data-country={path.code}
              data-count={count}
            >
              <title>{`${bucket?.label ?? path.name}: ${count}`}</title>
            </path>
          );
        })}
      </svg>
      <figcaption className="legend">
        <span>0</span>
        <span className="legend-ramp" aria-hidden="true" />
        <span>{largest} organisations</span>
      </figcaption>
    </figure>
  );
}
