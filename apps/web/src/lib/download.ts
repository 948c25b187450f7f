/** `tidy-export-2030-01-31.json`, in the user's local calendar. */
export function defaultExportName(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `tidy-export-${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}.json`;
}

/**
 * Saves a Blob as a file: an object URL on a temporary `<a download>`, clicked, then removed.
 * The URL is revoked a moment later (revoking synchronously can cancel the download in some
 * browsers).
 */
export function saveBlob(blob: Blob, filename: string, doc: Document = document): void {
  const url = URL.createObjectURL(blob);
  const link = doc.createElement("a");
  link.href = url;
  link.download = filename;
  link.rel = "noopener";
  link.hidden = true;
  doc.body.append(link);
  try {
    link.click();
  } finally {
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }
}
