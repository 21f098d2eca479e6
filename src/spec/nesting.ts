/**
 * jsonc-parser parses recursively, so a text nested thousands of levels deep overflows the stack. This scan (its
 * iterative tokenizer) finds the first bracket past the nesting limit before any parsing happens.
 */
import { createScanner } from 'jsonc-parser';

// jsonc-parser's SyntaxKind is an ambient const enum, which isolatedModules forbids reading by name.
const OPEN_BRACE = 1; // SyntaxKind.OpenBraceToken
const CLOSE_BRACE = 2; // SyntaxKind.CloseBraceToken
const OPEN_BRACKET = 3; // SyntaxKind.OpenBracketToken
const CLOSE_BRACKET = 4; // SyntaxKind.CloseBracketToken
const EOF = 17; // SyntaxKind.EOF

/** Offset of the first '{' or '[' that opens level `limit + 1`, or -1 when the text stays within the limit. */
export function findExcessNesting(text: string, limit: number): number {
  const scanner = createScanner(text, true);
  let depth = 0;
  for (let token = scanner.scan(); token !== EOF; token = scanner.scan()) {
    if (token === OPEN_BRACE || token === OPEN_BRACKET) {
      depth++;
      if (depth > limit) return scanner.getTokenOffset();
    } else if ((token === CLOSE_BRACE || token === CLOSE_BRACKET) && depth > 0) {
      depth--;
    }
  }
  return -1;
}
