import '@mantine/core/styles.css';
import { createTheme, MantineProvider } from '@mantine/core';
import { QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { createQueryClient } from './session';
import './styles.css';

const container = document.getElementById('root');
if (!container) throw new Error('Missing #root element');

const theme = createTheme({
  primaryColor: 'indigo',
  // Keyboard focus gets a visible ring; mouse clicks don't.
  focusRing: 'auto',
  fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
});

const queryClient = createQueryClient();

createRoot(container).render(
  <StrictMode>
    <MantineProvider theme={theme} defaultColorScheme="auto">
      <QueryClientProvider client={queryClient}>
        <App />
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);
