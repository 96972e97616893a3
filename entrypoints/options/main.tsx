import { render } from 'preact';
import '../../components/options.css';
import { App } from './App';
import { t, uiLanguage } from '../../lib/i18n';

document.documentElement.lang = uiLanguage();
document.title = t('optionsTitle');

render(<App />, document.getElementById('app')!);
