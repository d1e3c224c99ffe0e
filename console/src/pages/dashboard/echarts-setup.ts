// ECharts' core with only what the dashboard draws (bar and line charts), so the lazy chunk stays small.
// Imported dynamically by Chart.tsx: never in the first page's bundle.
import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, GridComponent, TooltipComponent, LegendComponent, AriaComponent, CanvasRenderer]);

export default echarts;
