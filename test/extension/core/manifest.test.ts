/** package.json's extension keys against the code that uses them: command ids, settings and their defaults. */
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REPOSITORY_URL } from '../../../src/extension/core/docs';
import { CONFIG_SECTION, DEFAULT_CONFIG, SETTING_KEYS, thresholdKey } from '../../../src/extension/core/settings';
import { DEFAULT_THRESHOLDS, type Thresholds } from '../../../src/analysis/thresholds';
import { COMMAND_CATEGORY, COMMANDS, RUNNING_CONTEXT_KEY } from '../../../src/extension/commandIds';

const manifest = JSON.parse(fs.readFileSync('package.json', 'utf8'));
const properties: Record<string, { default: unknown }> = manifest.contributes.configuration.properties;

describe('package.json', () => {
  it('contributes exactly the commands of the table, in the VGNet category', () => {
    const contributed = manifest.contributes.commands.map((c: { command: string; title: string; category: string }) => [
      c.command,
      c.title,
      c.category,
    ]);
    const table = Object.values(COMMANDS).map((c) => [c.id, c.title, COMMAND_CATEGORY]);
    expect(contributed).toEqual(table);
    expect(
      manifest.contributes.commands.find((c: { command: string }) => c.command === COMMANDS.cancel.id).enablement,
    ).toBe(RUNNING_CONTEXT_KEY);
  });

  it('documents every setting with the default the code falls back to', () => {
    for (const [field, key] of Object.entries(SETTING_KEYS)) {
      const property = properties[`${CONFIG_SECTION}.${key}`];
      expect(property, key).toBeDefined();
      expect(property!.default, key).toEqual(DEFAULT_CONFIG[field as keyof typeof SETTING_KEYS]);
    }
    for (const name of Object.keys(DEFAULT_THRESHOLDS) as (keyof Thresholds)[]) {
      expect(properties[`${CONFIG_SECTION}.${thresholdKey(name)}`]?.default, name).toBe(DEFAULT_THRESHOLDS[name]);
    }
    expect(Object.keys(properties)).toHaveLength(
      Object.keys(SETTING_KEYS).length + Object.keys(DEFAULT_THRESHOLDS).length,
    );
  });

  it('validates *.vgnet.json with the schema, as JSON with comments', () => {
    expect(manifest.contributes.jsonValidation).toEqual([
      { fileMatch: '*.vgnet.json', url: './media/vgnet.schema.json' },
    ]);
    expect(manifest.contributes.configurationDefaults['files.associations']).toEqual({ '*.vgnet.json': 'jsonc' });
  });

  it('declares limited support for untrusted workspaces and none for virtual ones', () => {
    expect(manifest.capabilities.untrustedWorkspaces.supported).toBe('limited');
    expect(manifest.capabilities.untrustedWorkspaces.description).toMatch(/Restricted Mode/);
    expect(manifest.capabilities.virtualWorkspaces.supported).toBe(false);
  });

  it('activates on spec files, names the icon that exists and the repository of the docs links', () => {
    expect(manifest.activationEvents).toContain('workspaceContains:**/*.vgnet.json');
    expect(fs.existsSync(manifest.icon)).toBe(true);
    expect(manifest.repository.url).toBe(REPOSITORY_URL);
    expect(manifest.main).toBe('./dist/extension.js');
  });

  it('ships a 128×128 PNG icon', () => {
    const png = fs.readFileSync(manifest.icon);
    expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([128, 128]);
  });
});
