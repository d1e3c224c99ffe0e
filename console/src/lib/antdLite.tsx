// Lighter entry points into antd for the first page.
// - Input: `import { Input } from 'antd'` brings Input.TextArea, Input.Password and Input.OTP too (~9 kB gzip).
// - Select (~28 kB gzip with rc-select and rc-virtual-list): loaded once the page is up; until then each one is a
//   look-alike box that shows its value (or placeholder), which the real one replaces (same size, same text).
import { useEffect, useState, type ComponentType } from 'react';
import InternalInput from 'antd/es/input/Input';
import Search from 'antd/es/input/Search';
import type { SelectProps } from 'antd';
import type { BaseOptionType, DefaultOptionType } from 'antd/es/select';

/** antd's Input with Input.Search (set on the same component as antd's own index does). */
export const Input = Object.assign(InternalInput, { Search });

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnySelect = ComponentType<SelectProps<any, any>>;
let loaded: AnySelect | null = null;
let loading: Promise<AnySelect> | null = null;
function loadSelect(): Promise<AnySelect> {
  loading ??= import('antd/es/select').then(
    (m) => (loaded = m.default as unknown as AnySelect),
    (e: unknown) => {
      loading = null; // the next Select to mount tries again
      throw e;
    },
  );
  return loading;
}

/** antd's Select, loaded after the first render (see above). */
export function Select<V = unknown, O extends BaseOptionType = DefaultOptionType>(props: SelectProps<V, O>) {
  const [Real, setReal] = useState<AnySelect | null>(() => loaded);
  useEffect(() => {
    if (Real) return;
    let live = true;
    loadSelect().then(
      (c) => live && setReal(() => c),
      () => {}, // the look-alike stays
    );
    return () => {
      live = false;
    };
  }, [Real]);
  if (Real) return <Real {...props} />;
  const option = props.value == null ? undefined : props.options?.find((o) => o.value === props.value);
  const label = option?.label ?? (props.value == null ? undefined : String(props.value));
  return (
    <span className="lazy-select" style={props.style} aria-hidden="true">
      <span className={label == null ? 'lazy-select-placeholder' : 'lazy-select-value'}>{label ?? props.placeholder}</span>
    </span>
  );
}
