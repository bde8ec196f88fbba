import ts from 'typescript';
import { describe, expect, it } from 'vitest';

import { ERROR_CODES, INTENT_NAMES, INTENT_VERSIONS } from '../../src/data/contract.gen';
import { MUTATORS } from '../../src/data/mutators';

/** A path next to this test (no Node types in the app's compiler options). */
const local = (relative: string): string => decodeURIComponent(new URL(relative, import.meta.url).pathname);
const root = local('../..');

/** Type-checks one file with the app's compiler options; returns the error messages. */
function typeErrors(file: string): string[] {
  const config = ts.readConfigFile(local('../../tsconfig.json'), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  const program = ts.createProgram([file], { ...parsed.options, noEmit: true });
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : null;
    const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    return where ? `${d.file?.fileName}:${where.line + 1}: ${text}` : text;
  });
}

describe('generated contract (src/data/contract.gen.ts)', () => {
  it('types intents: right shapes compile, wrong ones are refused', () => {
    expect(typeErrors(local('./contract-usage.ts'))).toEqual([]);
  }, 60_000);

  it('lists each intent once, sorted, with its version', () => {
    expect([...INTENT_NAMES]).toEqual([...INTENT_NAMES].sort());
    expect(new Set(INTENT_NAMES).size).toBe(INTENT_NAMES.length);
    expect(Object.keys(INTENT_VERSIONS)).toEqual([...INTENT_NAMES]);
  });

  it('replays no intent name the server does not know (the legacy mutators are gone)', () => {
    const server = new Set<string>(INTENT_NAMES);
    const invented = [...MUTATORS.keys()].map((key) => key.split('@')[0] ?? key).filter((name) => !server.has(name));
    expect(invented).toEqual([]);
  });

  it('the app names no intent: it queues through the typed commands only', () => {
    // The data layer's untyped queue called anywhere in the app, the screens or the service
    // worker (whose own queue, sw/outbox.ts, takes the generated arguments too).
    const raw = /\benqueue\s*\(/;
    const files = ['src/app', 'src/screens', 'src/sw']
      .flatMap((dir) => ts.sys.readDirectory(local(`../../${dir}`), ['.ts', '.tsx']));
    expect(files.length).toBeGreaterThan(20);
    const offenders = files.filter((file) => raw.test(ts.sys.readFile(file) ?? ''));
    expect(offenders).toEqual([]);
  });

  it('carries every error code with its status and both languages', () => {
    for (const [code, text] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^[A-Z][A-Z0-9_]*$/);
      expect(text.status).toBeGreaterThanOrEqual(400);
      expect(text.fr.length, code).toBeGreaterThan(0);
      expect(text.en.length, code).toBeGreaterThan(0);
    }
  });
});
