// Plays the extension host for scripts/preview-webview.mjs: provides acquireVsCodeApi, applies a theme the way
// VS Code does (--vscode-* variables on <html>, a vscode-<kind> class on <body>), and answers 'ready' with the
// model (after streaming the run as progress when ?live=1). Messages the page sends are kept in window.__sent.
(function () {
  const params = new URLSearchParams(location.search);
  const data = window.__VGNET_PREVIEW__;
  const THEMES = {
    dark: {
      kind: 'vscode-dark',
      vars: {
        'editor-background': '#1f1f1f',
        'editor-foreground': '#cccccc',
        foreground: '#cccccc',
        descriptionForeground: '#9d9d9d',
        'panel-border': '#2b2b2b',
        'widget-border': '#313131',
        'editorWidget-border': '#454545',
        focusBorder: '#0078d4',
        'button-background': '#0078d4',
        'button-foreground': '#ffffff',
        'button-secondaryBackground': '#313131',
        'button-secondaryForeground': '#cccccc',
        'button-secondaryHoverBackground': '#3c3c3c',
        'button-border': '#ffffff12',
        'dropdown-background': '#313131',
        'dropdown-foreground': '#cccccc',
        'dropdown-border': '#3c3c3c',
        'list-hoverBackground': '#2a2d2e',
        'editor-selectionBackground': '#264f78',
        'editorWarning-foreground': '#cca700',
        'charts-red': '#f14c4c',
        'charts-blue': '#3794ff',
        'charts-green': '#89d185',
        'charts-yellow': '#cca700',
        'charts-orange': '#d18616',
        'charts-purple': '#b180d7',
      },
    },
    light: {
      kind: 'vscode-light',
      vars: {
        'editor-background': '#ffffff',
        'editor-foreground': '#3b3b3b',
        foreground: '#3b3b3b',
        descriptionForeground: '#717171',
        'panel-border': '#e5e5e5',
        'widget-border': '#e5e5e5',
        'editorWidget-border': '#c8c8c8',
        focusBorder: '#005fb8',
        'button-background': '#005fb8',
        'button-foreground': '#ffffff',
        'button-secondaryBackground': '#e5e5e5',
        'button-secondaryForeground': '#3b3b3b',
        'button-secondaryHoverBackground': '#cccccc',
        'button-border': '#0000001a',
        'dropdown-background': '#ffffff',
        'dropdown-foreground': '#3b3b3b',
        'dropdown-border': '#cecece',
        'list-hoverBackground': '#f2f2f2',
        'editor-selectionBackground': '#add6ff',
        'editorWarning-foreground': '#bf8803',
        'charts-red': '#e51400',
        'charts-blue': '#1a85ff',
        'charts-green': '#388a34',
        'charts-yellow': '#bf8803',
        'charts-orange': '#d18616',
        'charts-purple': '#652d90',
      },
    },
    'high-contrast': {
      kind: 'vscode-high-contrast',
      vars: {
        'editor-background': '#000000',
        'editor-foreground': '#ffffff',
        foreground: '#ffffff',
        descriptionForeground: '#ffffffb3',
        'panel-border': '#6fc3df',
        'widget-border': '#6fc3df',
        'editorWidget-border': '#6fc3df',
        focusBorder: '#f38518',
        'button-background': '#000000',
        'button-foreground': '#ffffff',
        'button-border': '#6fc3df',
        'dropdown-background': '#000000',
        'dropdown-foreground': '#ffffff',
        'dropdown-border': '#6fc3df',
        'editor-selectionBackground': '#ffffff',
        'charts-red': '#f48771',
        'charts-blue': '#3794ff',
        'charts-green': '#89d185',
        'charts-yellow': '#ffd700',
        'charts-orange': '#d18616',
        'charts-purple': '#b180d7',
      },
    },
  };
  const FONT = {
    'font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif',
    'font-size': '13px',
    'editor-font-family': '"Droid Sans Mono", "monospace", monospace',
  };

  function applyTheme(name) {
    const theme = THEMES[name] || THEMES.dark;
    const root = document.documentElement;
    for (const [key, value] of Object.entries({ ...FONT, ...theme.vars }))
      root.style.setProperty(`--vscode-${key}`, value);
    const apply = () => {
      document.body.className = theme.kind;
    };
    if (document.body) apply();
    else document.addEventListener('DOMContentLoaded', apply);
  }
  applyTheme(params.get('theme') || 'dark');
  window.__setTheme = applyTheme;

  const post = (message) => window.postMessage(message, '*');
  let state;
  window.__sent = [];
  window.acquireVsCodeApi = () => ({
    postMessage(message) {
      window.__sent.push(message);
      if (message.type === 'ready') play();
    },
    getState: () => state,
    setState: (next) => {
      state = next;
    },
  });

  function play() {
    const frames = params.get('live') ? data.progress : [];
    frames.forEach((progress, i) => setTimeout(() => post({ type: 'progress', progress }), 120 * i));
    setTimeout(
      () => {
        if (!params.get('live') || params.get('live') === 'end') post({ type: 'model', model: data.model });
        const highlight = params.get('highlight');
        if (highlight) post({ type: 'highlight', uri: data.model.uri, layer: highlight });
        window.__played = true;
      },
      120 * frames.length + 50,
    );
  }
})();
