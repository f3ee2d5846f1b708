import { createTheme } from '@mantine/core';

/**
 * A quiet dashboard look: white panels on a light grey page, one accent
 * colour, compact type. Tables and numbers use tabular figures (see
 * components/Page.tsx) so amounts line up.
 */
export const theme = createTheme({
  primaryColor: 'indigo',
  defaultRadius: 'md',
  fontFamily: 'Inter, -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Liberation Sans", sans-serif',
  headings: { fontWeight: '650' },
  fontSizes: { md: '0.9375rem' },
  components: {
    Button: { defaultProps: { fw: 600 } },
    Table: { defaultProps: { striped: false } },
    Notification: { defaultProps: { withBorder: true } },
  },
});
