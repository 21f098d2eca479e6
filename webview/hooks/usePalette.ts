/** The chart palette of the current theme; a new object (and so new charts) only when the theme changed. */
import { useMemo } from 'preact/hooks';
import { PALETTE_VARIABLES, paletteFrom, type Palette } from '../palette';
import { useCssVariables } from './useCssVariables';

export function usePalette(refreshKey: number): Palette {
  const { values, bodyClasses } = useCssVariables(PALETTE_VARIABLES, refreshKey);
  return useMemo(() => paletteFrom((name) => values[name] ?? '', bodyClasses), [values, bodyClasses]);
}
