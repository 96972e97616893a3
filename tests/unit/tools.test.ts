import { afterEach, describe, expect, it } from 'vitest';
import { TOOLS, findTool, missingToolMessage, runTool, toolOutput, type ToolName } from '../../scripts/tools';

describe('outside tools (scripts/tools.ts)', () => {
  const path = process.env.PATH;
  afterEach(() => {
    process.env.PATH = path;
  });

  it('lists every program with its Debian package', () => {
    expect(TOOLS['7z'].pkg).toBe('p7zip-full');
    for (const [name, tool] of Object.entries(TOOLS)) {
      expect(tool.pkg, name).toMatch(/^[a-z0-9][a-z0-9.+-]+$/);
      expect(missingToolMessage(name as ToolName)).toContain(`Debian's ${tool.pkg} package`);
    }
  });

  it('a missing program is an error that names it and its package, not a null status', () => {
    process.env.PATH = '/nonexistent';
    expect(findTool('7z')).toBeNull();
    expect(() => runTool('7z', ['t', 'x.zip'])).toThrow(/7z is not installed: it is in Debian's p7zip-full package/);
    expect(() => toolOutput('unzip', ['-v'])).toThrow(/unzip is not installed: it is in Debian's unzip package/);
  });

  it('runs an installed program and reports a failing one with its output', () => {
    expect(findTool('python3')).not.toBeNull();
    expect(toolOutput('python3', ['-c', 'print(6 * 7)']).trim()).toBe('42');
    expect(() => toolOutput('python3', ['-c', 'import sys; print("no"); sys.exit(3)'])).toThrow(/exit 3[\s\S]*no/);
  });
});
