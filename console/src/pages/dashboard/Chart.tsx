// The figures by period as an ECharts bar + line chart. ECharts is imported here, lazily, on first render.
import { useEffect, useRef, useState } from 'react';
import { Spin } from 'antd';
import type { EChartsType } from 'echarts/core';

export interface ChartSeries {
  name: string;
  type: 'bar' | 'line';
  data: (number | null)[];
  /** 0: counts (left axis); 1: the line's axis (right). */
  axis: 0 | 1;
}

type EchartsCore = typeof import('echarts/core');
let loading: Promise<EchartsCore> | null = null;

/** ECharts (core, bar and line charts), loaded once, lazily. */
function loadEcharts(): Promise<EchartsCore> {
  if (!loading) loading = import('./echarts-setup').then((m) => m.default);
  return loading;
}

export default function KpiChart({ labels, series, rightAxisName, rightFormatter }: { labels: string[]; series: ChartSeries[]; rightAxisName?: string; rightFormatter?: (v: number) => string }) {
  const el = useRef<HTMLDivElement | null>(null);
  const chart = useRef<EChartsType | null>(null);
  const [ready, setReady] = useState(false);

  useEffect(() => {
    let alive = true;
    let ro: ResizeObserver | null = null;
    void loadEcharts().then((echarts) => {
      if (!alive || !el.current) return;
      chart.current = echarts.init(el.current);
      setReady(true);
      if (typeof ResizeObserver !== 'undefined') {
        ro = new ResizeObserver(() => chart.current?.resize());
        ro.observe(el.current);
      }
    });
    return () => {
      alive = false;
      ro?.disconnect();
      chart.current?.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    if (!ready || !chart.current) return;
    chart.current.setOption(
      {
        aria: { enabled: true },
        tooltip: { trigger: 'axis' },
        legend: { top: 0 },
        grid: { left: 48, right: 56, top: 36, bottom: 28 },
        xAxis: { type: 'category', data: labels },
        yAxis: [
          { type: 'value', minInterval: 1 },
          { type: 'value', name: rightAxisName, axisLabel: rightFormatter ? { formatter: rightFormatter } : undefined, splitLine: { show: false } },
        ],
        series: series.map((s) => ({ name: s.name, type: s.type, data: s.data, yAxisIndex: s.axis, connectNulls: true, smooth: s.type === 'line' })),
      },
      { notMerge: true },
    );
  }, [ready, labels, series, rightAxisName, rightFormatter]);

  return (
    <div style={{ position: 'relative' }}>
      {!ready && (
        <div style={{ position: 'absolute', inset: 0, display: 'grid', placeItems: 'center' }}>
          <Spin />
        </div>
      )}
      <div ref={el} style={{ width: '100%', height: 300 }} role="img" aria-label={series.map((s) => s.name).join(', ')} />
    </div>
  );
}
