import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import { LineChart, ScatterChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';
import type { Quarter } from '../api';
import { pct } from '../format';
import { useSettings } from '../i18n';

echarts.use([LineChart, ScatterChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

/** Percent for plotting only: the figures on screen and in files stay the JSON's strings. */
const plot = (ratio: string | null | undefined): number | null => (ratio === null || ratio === undefined ? null : Number(ratio) * 100);

/** 支出进度 against 序时进度, with the reported and restated points of closed quarters. */
export function ProgressChart({ quarters }: { quarters: Quarter[] }) {
  const { t } = useSettings();
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (el.current === null) return;
    const chart = echarts.init(el.current, undefined, { renderer: 'svg' });
    chart.setOption({
      animation: false,
      tooltip: { trigger: 'axis', valueFormatter: (v: number | null) => (v === null ? '-' : `${v.toFixed(2)}%`) },
      legend: { top: 0 },
      grid: { left: 48, right: 16, top: 36, bottom: 28 },
      xAxis: { type: 'category', data: quarters.map((q) => q.period) },
      yAxis: { type: 'value', axisLabel: { formatter: '{value}%' }, min: 0 },
      series: [
        {
          name: `${t.progress}（${t.restated}）`,
          type: 'line',
          data: quarters.map((q) => plot(q.progress)),
          label: { show: true, formatter: (p: { dataIndex: number }) => pct(quarters[p.dataIndex]?.progress), position: 'top' },
          symbolSize: 8,
        },
        { name: t.schedule, type: 'line', data: quarters.map((q) => plot(q.schedule)), lineStyle: { type: 'dashed' } },
        {
          name: `${t.progress}（${t.reported}）`,
          type: 'scatter',
          data: quarters.map((q) => (q.closed ? plot(q.reported?.progress) : null)),
          symbol: 'diamond',
          symbolSize: 12,
        },
      ],
    });
    const resize = () => chart.resize();
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.dispose();
    };
  }, [quarters, t]);
  return <div ref={el} className="chart" data-testid="progress-chart" />;
}
