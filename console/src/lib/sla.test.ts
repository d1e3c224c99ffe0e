import { describe, expect, it, beforeEach } from 'vitest';
import { formatMinutes, slaClock, formatTime } from './sla';
import { setLang } from './i18n';

describe('formatMinutes', () => {
  beforeEach(() => setLang('en'));
  it('minutes, hours, days', () => {
    expect(formatMinutes(12)).toBe('12 min');
    expect(formatMinutes(95)).toBe('1 h 35 min');
    expect(formatMinutes(1500)).toBe('1 d 1 h');
    expect(formatMinutes(-30)).toBe('30 min');
  });
  it('Chinese', () => {
    setLang('zh');
    expect(formatMinutes(95)).toBe('1 小时 35 分');
  });
});

describe('slaClock', () => {
  const now = new Date('2026-01-01T08:00:00Z');
  beforeEach(() => setLang('en'));
  it('time left', () => {
    const c = slaClock({ dueAt: '2026-01-01T10:30:00Z', breached: false }, now);
    expect(c.state).toBe('ok');
    expect(c.minutes).toBe(150);
    expect(c.text).toBe('2 h 30 min left');
  });
  it('warned after warnAt', () => {
    expect(slaClock({ dueAt: '2026-01-01T10:00:00Z', warnAt: '2026-01-01T07:00:00Z' }, now).state).toBe('warn');
  });
  it('over', () => {
    const c = slaClock({ dueAt: '2026-01-01T07:00:00Z' }, now);
    expect(c.state).toBe('over');
    expect(c.text).toBe('1 h 0 min over');
  });
  it('breached stage escalated to a holder who still has time: a warning, time left', () => {
    const c = slaClock({ dueAt: '2026-01-01T09:00:00Z', breached: true }, now);
    expect(c.state).toBe('warn');
    expect(c.breached).toBe(true);
    expect(c.text).toBe('1 h 0 min left');
  });
  it('breached without a due time', () => {
    expect(slaClock({ dueAt: null, breached: true }, now)).toMatchObject({ state: 'over', text: 'Breached' });
  });
  it('paused and none', () => {
    expect(slaClock({ dueAt: '2026-01-01T09:00:00Z', paused: true }, now).state).toBe('paused');
    expect(slaClock({ dueAt: null }, now).state).toBe('none');
    expect(slaClock(null, now).text).toBe('—');
  });
  it('formatTime', () => {
    expect(formatTime(null)).toBe('—');
    expect(formatTime('2026-01-01T08:05:00')).toBe('2026-01-01 08:05');
  });
});
