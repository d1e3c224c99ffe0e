import { describe, expect, it } from 'vitest';
import { shortAgent } from './index';

describe('shortAgent', () => {
  it('names browser and system', () => {
    expect(shortAgent('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36')).toBe('Chrome 120 · Windows');
    expect(shortAgent('Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15')).toBe('Safari · macOS');
    expect(shortAgent(null)).toBe('—');
  });
});
