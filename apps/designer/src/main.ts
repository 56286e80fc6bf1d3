import { provideHttpClient, withFetch } from '@angular/common/http';
import { provideBrowserGlobalErrorListeners, provideZonelessChangeDetection } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import { provideRouter, withComponentInputBinding } from '@angular/router';

import { AppComponent } from './app/app.component';
import { routes } from './app/app.routes';
import { WORKSPACE_KEY } from './app/core/api.service';
import { ACCESS_KEY, readToken } from './app/core/auth.service';
import { prefetchForPage } from './app/core/prefetch';

// Opened directly on a designer URL with a stored session: its data is asked for now, beside the app's start.
prefetchForPage(location.pathname, readToken(ACCESS_KEY), readToken(WORKSPACE_KEY));

bootstrapApplication(AppComponent, {
  providers: [
    provideBrowserGlobalErrorListeners(),
    provideZonelessChangeDetection(),
    provideHttpClient(withFetch()),
    provideRouter(routes, withComponentInputBinding()),
  ],
}).catch((err: unknown) => console.error(err));
