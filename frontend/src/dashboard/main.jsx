import './dashboard.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.jsx';

createRoot(document.getElementById('dashboard')).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
