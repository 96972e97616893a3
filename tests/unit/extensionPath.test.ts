import { describe, expect, it } from 'vitest';
import { extensionRelativePath } from '../../lib/extensionPath';

describe('extensionRelativePath', () => {
  it("strips Firefox's moz-extension:// base from a manifest file", () => {
    const base = 'moz-extension://6f1d2c3b-4a5e-4f60-8a71-92b3c4d5e6f7/';
    expect(extensionRelativePath(`${base}content-scripts/platform.js`, base)).toBe('content-scripts/platform.js');
    expect(extensionRelativePath(`${base}content-scripts/platform.js`, base.slice(0, -1))).toBe('content-scripts/platform.js');
  });
  it('keeps a path that is already relative (Chromium)', () => {
    expect(extensionRelativePath('content-scripts/platform.js', 'chrome-extension://abc/')).toBe('content-scripts/platform.js');
  });
  it("keeps another extension's URL as it is (nothing to strip)", () => {
    expect(extensionRelativePath('moz-extension://other/x.js', 'moz-extension://mine/')).toBe('moz-extension://other/x.js');
  });
});
