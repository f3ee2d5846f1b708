import { PagePlaceholder } from './PagePlaceholder';

export function AuditPage() {
  return <PagePlaceholder title="Audit log" description="Who did what to which money will be listed here." />;
}
