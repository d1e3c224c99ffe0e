// Upload photos one by one to POST /upload; reports the media ids of those that succeeded.
import { useState } from 'react';
import { Upload, Button, message } from 'antd';
import type { UploadFile } from 'antd';
import { UploadOutlined } from '@ant-design/icons';
import { uploadPhoto } from '../../lib/api';
import { t } from '../../lib/i18n';

export default function PhotoUpload({ onChange, label, max = 9, testId }: { onChange: (ids: string[]) => void; label: string; max?: number; testId?: string }) {
  const [files, setFiles] = useState<UploadFile[]>([]);
  const emit = (list: UploadFile[]) => onChange(list.filter((f) => f.status === 'done' && f.response?.mediaId).map((f) => f.response.mediaId as string));
  return (
    <Upload
      data-testid={testId}
      listType="picture-card"
      accept="image/jpeg,image/png,image/webp"
      multiple
      maxCount={max}
      fileList={files}
      onRemove={(f) => {
        const list = files.filter((x) => x.uid !== f.uid);
        setFiles(list);
        emit(list);
      }}
      customRequest={async ({ file, onSuccess, onError }) => {
        const r = await uploadPhoto(file as File);
        if (r.ok) onSuccess?.(r);
        else {
          message.error(r.error.message);
          onError?.(new Error(r.error.message));
        }
      }}
      onChange={({ fileList }) => {
        setFiles(fileList);
        emit(fileList);
      }}
    >
      {files.length < max && (
        <Button type="text" icon={<UploadOutlined />} aria-label={label}>
          {files.some((f) => f.status === 'uploading') ? t('report.uploading') : label}
        </Button>
      )}
    </Upload>
  );
}
