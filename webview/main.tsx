/** Entry of the plots webview (bundled by esbuild to dist/webview.js and dist/webview.css). */
import { render } from 'preact';
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { App } from './App';

render(<App />, document.getElementById('root')!);
