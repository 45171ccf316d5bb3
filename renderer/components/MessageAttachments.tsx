import { memo, useEffect, useState } from 'react';
import { formatBytes, type AttachmentMeta } from '../../core/contract/index.js';
import { useClient } from '../store/context.js';
import { FileIcon } from './icons.js';

/** The files sent with a message: images as thumbnails (fetched when the row shows), text files by name. */
export const MessageAttachments = memo(function MessageAttachments({ files }: { files: readonly AttachmentMeta[] }) {
  return (
    <ul className="message-files" aria-label="Attached files" data-testid="message-attachments">
      {files.map((file) =>
        file.mediaType.startsWith('image/') ? (
          <li key={file.id} className="message-file message-file-image" data-testid="message-attachment" data-name={file.name}>
            <AttachedImage file={file} />
          </li>
        ) : (
          <li key={file.id} className="message-file attachment-chip" data-testid="message-attachment" data-name={file.name}>
            <FileIcon />
            <span className="attachment-name">{file.name}</span>
            <span className="attachment-size">{formatBytes(file.size)}</span>
          </li>
        ),
      )}
    </ul>
  );
});

// Fetched once per window: a row scrolled out and back in shows its image without asking again.
const loaded = new Map<string, string>();

function AttachedImage({ file }: { file: AttachmentMeta }) {
  const client = useClient();
  const [src, setSrc] = useState<string | null>(() => loaded.get(file.id) ?? null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (src) return;
    let live = true;
    client.call('attachments.get', { id: file.id }).then(
      (got) => {
        const url = `data:${got.mediaType};base64,${got.data}`;
        if (loaded.size > 200) loaded.delete(loaded.keys().next().value as string);
        loaded.set(file.id, url);
        if (live) setSrc(url);
      },
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, [client, file.id, src]);
  // A fixed box: the row keeps its height while the image loads.
  return (
    <span className="attachment-thumb" title={`${file.name} (${formatBytes(file.size)})`}>
      {src ? (
        <img src={src} alt={file.name} data-testid="message-attachment-image" />
      ) : (
        <span className="attachment-thumb-note">{failed ? `${file.name} could not be loaded` : file.name}</span>
      )}
    </span>
  );
}
