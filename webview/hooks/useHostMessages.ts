/**
 * Receives the host's messages, checked on receipt (anything malformed is dropped with a console warning), and
 * tells the host the webview is ready once it listens: the host sends data only after that.
 */
import { useEffect } from 'preact/hooks';
import { isHostMessage, type HostMessage } from '../../src/protocol/plots';
import { postToHost } from '../vscode';
import { useLatest } from './useLatest';

export function useHostMessages(onMessage: (message: HostMessage) => void): void {
  const handler = useLatest(onMessage);
  useEffect(() => {
    const listener = (event: MessageEvent): void => {
      if (isHostMessage(event.data)) handler.current(event.data);
      else console.warn('[vgnet] ignored a malformed message from the extension', event.data);
    };
    window.addEventListener('message', listener);
    postToHost({ type: 'ready' });
    return () => window.removeEventListener('message', listener);
  }, []);
}
