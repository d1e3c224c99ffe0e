// antd's Modal, loaded the first time it opens (~9 kB gzip the first page need not wait for). Once loaded it stays
// mounted, so closing animates as before; the props are antd's.
import { lazy, Suspense, useState } from 'react';
import type { ModalProps } from 'antd';

const Modal = lazy(() => import('antd/es/modal'));

export function LazyModal(props: ModalProps) {
  const [used, setUsed] = useState(!!props.open);
  if (props.open && !used) setUsed(true);
  if (!used) return null;
  return (
    <Suspense fallback={null}>
      <Modal {...props} />
    </Suspense>
  );
}
