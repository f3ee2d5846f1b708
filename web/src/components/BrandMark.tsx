import { Box } from '@mantine/core';

/** The product's mark: a white "P" on the accent colour (as in public/favicon.svg). */
export function BrandMark({ size = 28 }: { size?: number }) {
  return (
    <Box w={size} h={size} bg="indigo.6" style={{ borderRadius: size / 4, display: 'grid', placeItems: 'center', flex: 'none' }} aria-hidden="true">
      <svg width={size * 0.57} height={size * 0.57} viewBox="0 0 32 32">
        <path d="M10 25V7h8a5.5 5.5 0 0 1 0 11h-8" fill="none" stroke="#fff" strokeWidth="3.4" strokeLinejoin="round" />
      </svg>
    </Box>
  );
}
