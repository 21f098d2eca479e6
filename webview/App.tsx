/**
 * The plots panel: receives the model, live progress and the editor's selected layer from the host; draws one
 * card per chart; keeps what it shows in the webview state so it survives hiding and a window reload.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { NO_SPEC_TEXT, type PlotModel, type PlotProgress } from '../src/protocol/plots';
import { CompareCard, EnginesCard } from './charts/CompareCard';
import { DeadFiltersCard } from './charts/DeadFiltersCard';
import { DepthChart } from './charts/DepthChart';
import { FractionsChart } from './charts/FractionsChart';
import { GateCard } from './charts/GateCard';
import { LossChart } from './charts/LossChart';
import { StepsChart } from './charts/StepsChart';
import { ThroughTimeCard } from './charts/ThroughTimeCard';
import { exportFileName, modelToCsv, modelToJson } from './exportData';
import { Header } from './Header';
import { useHostMessages } from './hooks/useHostMessages';
import { convLayers, gateLayers, timeLayers } from './layerSeries';
import { useLatest } from './hooks/useLatest';
import { usePalette } from './hooks/usePalette';
import { chooseModel, comparableFindings, hasFractions } from './transforms';
import { postToHost, restoredState, saveState } from './vscode';

interface CompareChoice {
  finding: number | null;
  at: 'start' | 'end';
}

export function App() {
  const [restored] = useState(restoredState);
  const [model, setModel] = useState<PlotModel | null>(restored?.model ?? null);
  const [progress, setProgress] = useState<PlotProgress | null>(null);
  const [highlight, setHighlight] = useState<string | null>(null);
  const [emptyReason, setEmptyReason] = useState<string | null>(null);
  const [compare, setCompare] = useState<CompareChoice>({
    finding: restored?.compareFinding ?? null,
    at: restored?.compareAt ?? 'start',
  });
  const [themeTick, setThemeTick] = useState(0);
  const palette = usePalette(themeTick);
  const current = useLatest(model);

  useHostMessages((message) => {
    switch (message.type) {
      case 'model':
        if (current.current?.uri !== message.model.uri) setHighlight(null);
        setModel((shown) => chooseModel(shown, message.model));
        setProgress(null);
        setEmptyReason(null);
        break;
      case 'progress':
        setProgress(message.progress);
        break;
      case 'highlight':
        if (current.current === null || current.current.uri === message.uri) setHighlight(message.layer);
        break;
      case 'empty':
        setModel(null);
        setProgress(null);
        setEmptyReason(message.reason);
        break;
      case 'theme':
        setThemeTick((tick) => tick + 1);
        break;
    }
  });

  useEffect(
    () => saveState({ version: 1, model, compareFinding: compare.finding, compareAt: compare.at }),
    [model, compare],
  );

  const fractions = model ? hasFractions(model) : { saturated: false, dead: false };
  const comparable = useMemo(() => (model ? comparableFindings(model) : []), [model]);
  const recurrent = useMemo(() => (model ? { time: timeLayers(model), gates: gateLayers(model) } : null), [model]);
  const conv = useMemo(() => (model ? convLayers(model) : []), [model]);
  const compareFinding =
    compare.finding !== null && comparable.includes(compare.finding) ? compare.finding : (comparable[0] ?? null);

  const reveal = (path: string): void => {
    if (!model) return;
    setHighlight(path);
    postToHost({ type: 'revealLayer', uri: model.uri, path });
  };
  const exportData = (format: 'csv' | 'json'): void => {
    if (!model) return;
    const content = format === 'csv' ? modelToCsv(model) : modelToJson(model);
    postToHost({ type: 'export', format, fileName: exportFileName(model, 'gradients', format), content });
  };

  if (model === null && progress === null) {
    return (
      <main class="plots empty">
        <p>{emptyReason ?? NO_SPEC_TEXT}</p>
      </main>
    );
  }
  const layerProps = { palette, highlight, onReveal: reveal };
  return (
    <main class="plots">
      <Header model={model} progress={progress} palette={palette} onReveal={reveal} onExport={exportData} />
      <div class="grid">
        {/* Per-layer charts side by side (the depth chart alone takes the row), then the charts over steps. */}
        {model ? <DepthChart model={model} {...layerProps} wide={!fractions.saturated && !fractions.dead} /> : null}
        {model ? <FractionsChart model={model} {...layerProps} /> : null}
        {/* Recurrent layers: the gradient through time, then the gates; conv layers: their dead filters. */}
        {model && recurrent
          ? recurrent.time.map((layer) => (
              <ThroughTimeCard
                key={`time ${layer.path}`}
                model={model}
                layer={layer}
                palette={palette}
                onReveal={reveal}
              />
            ))
          : null}
        {model && recurrent
          ? recurrent.gates.map((layer) => (
              <GateCard key={`gates ${layer.path}`} model={model} layer={layer} palette={palette} onReveal={reveal} />
            ))
          : null}
        {model && conv.length > 0 ? (
          <DeadFiltersCard model={model} layers={conv} palette={palette} onReveal={reveal} />
        ) : null}
        <StepsChart model={model} progress={progress} {...layerProps} />
        <LossChart model={model} progress={progress} palette={palette} />
        {model && compareFinding !== null ? (
          <CompareCard
            model={model}
            palette={palette}
            findings={comparable}
            finding={compareFinding}
            at={compare.at}
            onChange={(finding, at) => setCompare({ finding, at })}
          />
        ) : null}
        {model && model.engine !== null && model.reference !== null ? (
          <EnginesCard
            model={model}
            palette={palette}
            at={compare.at}
            onChange={(at) => setCompare({ finding: compare.finding, at })}
          />
        ) : null}
      </div>
    </main>
  );
}
