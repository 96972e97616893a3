import { expect, it } from 'vitest';
import { StageClock, timed } from '../../workers/stages';

it('StageClock adds up the time of each stage and gives back what the timed work returns', () => {
  const clock = new StageClock();
  const busy = (ms: number) => {
    const end = performance.now() + ms;
    while (performance.now() < end);
    return ms;
  };
  expect(clock.time('crc32', () => busy(5))).toBe(5);
  expect(timed(clock, 'crc32', () => busy(5))).toBe(5);
  expect(() => clock.time('write', () => { busy(3); throw new Error('disk full'); })).toThrow('disk full');
  const s = clock.summary();
  expect(s.crc32).toBeGreaterThanOrEqual(10);
  expect(s.write).toBeGreaterThanOrEqual(3);
  expect(s.sha256).toBeUndefined();
  expect(timed(undefined, 'buffer', () => 'untimed')).toBe('untimed');
});
