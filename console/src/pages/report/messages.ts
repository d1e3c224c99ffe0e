import { registerMessages } from '../../lib/i18n';

registerMessages('zh', {
  'report.supporterList': '附议人',
  'report.supporterMe': '我',
  'report.supporterMerged': '重复报事合并',
  'report.supporterAt': '附议于 {time}',
  'report.supportersMore': '更多附议人',
  'report.supportersHidden': '另有 {count} 人附议（您无权查看其姓名）',
  'report.supportersError': '附议人加载失败',
});

registerMessages('en', {
  'report.supporterList': 'Supporters',
  'report.supporterMe': 'me',
  'report.supporterMerged': 'merged duplicate',
  'report.supporterAt': 'Supported at {time}',
  'report.supportersMore': 'More supporters',
  'report.supportersHidden': '{count} more supporters (not shown to you)',
  'report.supportersError': 'Could not load the supporters',
});
