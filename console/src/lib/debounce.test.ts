import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { debounce } from './debounce';

describe('debounce', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('calls once, with the last arguments, after the pause', () => {
    const f = vi.fn();
    const d = debounce(f, 300);
    d('a');
    vi.advanceTimersByTime(200);
    d('ab');
    vi.advanceTimersByTime(299);
    expect(f).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(f).toHaveBeenCalledTimes(1);
    expect(f).toHaveBeenCalledWith('ab');
    vi.advanceTimersByTime(1000);
    expect(f).toHaveBeenCalledTimes(1);
  });
  it('cancel drops the pending call; flush runs it now', () => {
    const f = vi.fn();
    const d = debounce(f, 300);
    d(1);
    d.cancel();
    vi.advanceTimersByTime(500);
    expect(f).not.toHaveBeenCalled();
    d(2);
    d.flush();
    expect(f).toHaveBeenCalledWith(2);
    d.flush();
    expect(f).toHaveBeenCalledTimes(1);
  });
});
