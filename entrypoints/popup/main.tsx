import { render } from 'preact';
import '../../components/popup.css';
import { App } from './App';
import { t, uiLanguage } from '../../lib/i18n';

document.documentElement.lang = uiLanguage();
document.title = t('extName');

render(<App />, document.getElementById('app')!);
