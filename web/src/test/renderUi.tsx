import { MantineProvider } from '@mantine/core';
import { DatesProvider } from '@mantine/dates';
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { MemoryRouter } from 'react-router-dom';
import { theme } from '../theme';

/** Renders one component with the theme (no transitions, no portals) and a router. */
export function renderUi(ui: ReactElement) {
  return render(
    <MantineProvider theme={theme} env="test">
      <DatesProvider settings={{ firstDayOfWeek: 1 }}>
        <MemoryRouter>{ui}</MemoryRouter>
      </DatesProvider>
    </MantineProvider>,
  );
}
