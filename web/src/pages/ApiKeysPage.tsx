import { PagePlaceholder } from './PagePlaceholder';

export function ApiKeysPage() {
  return <PagePlaceholder title="API keys" description="API keys for your shops will be listed here." />;
}
